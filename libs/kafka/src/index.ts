export { compressionType, KAFKA_COMPRESSIONS, registerCompressionCodecs, type KafkaCompression } from './compression.js';
export { KafkaSaslConfig, kafkaSecurityOptions, SASL_MECHANISMS, secretScrubber, securityIssues, type KafkaSecuritySettings, type SaslMechanism } from './kafka-security.js';
