// The Kafka plugins: a `kafka` source (consumer-group member) and a `kafka` sink (producer),
// sharing their connection settings (brokers, TLS, SASL, timeouts) in connection/.
import kafkaSink from './sink/index.js';
import kafkaSource from './source/index.js';

export default [kafkaSource, kafkaSink];
