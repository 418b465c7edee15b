// Ships log records to Warden with the real OpenTelemetry JS logs SDK and
// its OTLP/HTTP exporter, for the logs ingest tests. argv[2] picks the
// exporter: "json" (@opentelemetry/exporter-logs-otlp-http) or "proto"
// (@opentelemetry/exporter-logs-otlp-proto). WARDEN_URL and WARDEN_TOKEN
// say where. Each record carries its exporter's name in run=..., so the
// test can tell the two runs apart.
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { SeverityNumber } = require('@opentelemetry/api-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const kind = process.argv[2];
const { OTLPLogExporter } = kind === 'proto'
  ? require('@opentelemetry/exporter-logs-otlp-proto')
  : require('@opentelemetry/exporter-logs-otlp-http');

const exporter = new OTLPLogExporter({
  url: process.env.WARDEN_URL + '/v1/logs',
  headers: { Authorization: 'Bearer ' + process.env.WARDEN_TOKEN },
});
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'node-shop', 'deployment.environment': 'test' }),
  processors: [new BatchLogRecordProcessor({ exporter })],
});
const logger = provider.getLogger('checkout', '1.4.0');

logger.emit({
  severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'order placed',
  attributes: { run: kind, order_id: 'A-17', 'http.status_code': 201, amount: 12.5 },
});
logger.emit({
  severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment declined',
  attributes: { run: kind, order_id: 'A-18', 'http.status_code': 402, retry: false },
});
logger.emit({
  severityNumber: SeverityNumber.WARN, body: 'slow query',
  attributes: { run: kind, duration_ms: 812 },
});

provider.shutdown().then(
  () => console.log('flushed ' + kind),
  (err) => { console.error('shutdown failed:', err); process.exit(2); },
);
