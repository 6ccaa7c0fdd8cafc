/**
 * Overview lives in ./overview/; this keeps the old import path working.
 */
export { OverviewArea } from './overview/overview-area';
