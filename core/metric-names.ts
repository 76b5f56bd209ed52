/**
 * The names of the metrics that are read outside the process that writes them — by the control
 * plane's run status and completion, the dashboards and the benches — declared once, so a rename
 * is one edit. Metrics only a stage's own /metrics shows keep their names where they are defined.
 */
export const METRIC = {
  kafkaMessagesProduced: 'synfin_kafka_messages_produced_total',
  producerFraudTransactions: 'synfin_producer_fraud_transactions_total',
  producerPaceBehind: 'synfin_producer_pace_behind_seconds',
  producerTargetRate: 'synfin_producer_target_rate_events_per_second',
  processorRecordsProduced: 'synfin_processor_records_produced_total',
  processorConsumerLag: 'synfin_processor_consumer_lag_records',
  processorDeadLetters: 'synfin_processor_dead_letters_total',
  sinkRowsWritten: 'synfin_sink_rows_written_total',
  sinkRecordsConsumed: 'synfin_sink_records_consumed_total',
  sinkConsumerLag: 'synfin_sink_consumer_lag_records',
  sinkBufferedRows: 'synfin_sink_buffered_rows',
  sinkDeadLetters: 'synfin_sink_dead_letters_total',
} as const;
