import { CommaSeparatedList, Field } from '@sluice/sdk';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateNested } from 'class-validator';
import { BROKER_ADDRESS, BROKER_ADDRESS_MESSAGE, KafkaSaslConfig, type KafkaConnectionSettings } from './kafka-connection.js';

/**
 * Connection settings shared by the `kafka` source and sink config classes (brokers, client id,
 * timeouts, TLS, SASL). Each subclass adds `retries`, whose meaning differs between the two.
 */
export abstract class KafkaConnectionConfig implements KafkaConnectionSettings {
  @Field({
    description: 'Bootstrap brokers, `host:port` each; the client discovers the rest of the cluster from them. One comma-separated string works too (e.g. `${KAFKA_BROKERS}`).',
    example: ['kafka-1:9092', 'kafka-2:9092'],
  })
  @CommaSeparatedList()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @Matches(BROKER_ADDRESS, { each: true, message: BROKER_ADDRESS_MESSAGE })
  brokers: string[];

  @Field({ description: 'Client id sent to the brokers (shows up in broker logs, quotas and metrics).', example: 'sluice-orders' })
  @IsString()
  @MinLength(1)
  clientId: string = 'sluice';

  @Field({ description: 'Milliseconds to wait for a TCP (and TLS) connection to a broker.', example: 3000 })
  @IsInt()
  @Min(100)
  @Max(300_000)
  connectionTimeoutMs: number = 3000;

  @Field({ description: 'Milliseconds to wait for the answer to one request before it counts as failed (and is retried).', example: 30000 })
  @IsInt()
  @Min(100)
  @Max(600_000)
  requestTimeoutMs: number = 30_000;

  @Field({ description: 'Connect with TLS. The server certificate is checked against the system CAs, or `sslCaFile`.', example: true })
  @IsBoolean()
  ssl: boolean = false;

  @Field({ description: 'PEM file of the CA(s) that signed the brokers\' certificates; relative to the config file\'s folder. Only with `ssl: true`.', example: 'certs/kafka-ca.pem' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  sslCaFile?: string;

  @Field({ description: 'Refuse brokers whose certificate cannot be verified. Turn off only for testing: it allows a man in the middle.', example: true })
  @IsBoolean()
  sslRejectUnauthorized: boolean = true;

  @Field({ description: 'SASL authentication (PLAIN or SCRAM). Not set (default): no authentication.', nested: () => KafkaSaslConfig })
  @IsOptional()
  @ValidateNested()
  @Type(() => KafkaSaslConfig)
  sasl?: KafkaSaslConfig;

  abstract retries: number;
}
