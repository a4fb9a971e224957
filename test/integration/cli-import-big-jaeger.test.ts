// 100,000-span Jaeger JSON file, streamed.
import { bigTraceTest } from '../fixtures/traces/big-trace';

bigTraceTest('jaeger');
