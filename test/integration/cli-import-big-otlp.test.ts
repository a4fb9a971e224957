// 100,000-span OTLP JSON file, streamed.
import { bigTraceTest } from '../fixtures/traces/big-trace';

bigTraceTest('otlp');
