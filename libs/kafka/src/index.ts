export { compressionType, KAFKA_COMPRESSIONS, registerCompressionCodecs, type KafkaCompression } from './compression.js';
