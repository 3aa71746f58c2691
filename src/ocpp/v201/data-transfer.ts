import { recordOnly, type V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block P, DataTransfer: no vendor extensions are implemented. A station's
 * DataTransfer (P02) is kept for staff and answered UnknownVendorId; staff may send one (P01).
 */
export const dataTransfer: V201Profile = {
  name: 'P DataTransfer',
  allowedBeforeAcceptance: ['DataTransfer'],
  outbound: ['DataTransfer'],
  handlers: ({ chargers }) => ({
    DataTransfer: recordOnly(chargers, 'DataTransfer', { status: 'UnknownVendorId' }),
  }),
};
