export { ReportService } from './service';

