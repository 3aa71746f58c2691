export { ReportService } from './service';
export type { DailyReport, PeriodReport, UsageTotals } from './service';
