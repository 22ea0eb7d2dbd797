// The admin page's globals: Chart.js, loaded as its UMD build by a classic script before the modules.
import type { Chart as ChartClass } from 'chart.js';

declare global {
  const Chart: typeof ChartClass;
}
export {};
