// The finance drill-down lives in shared/drill.js (the console's preview of
// the kiosk page draws it too).

export { financeTree, pathTo, financeView } from '../shared/drill.js';
