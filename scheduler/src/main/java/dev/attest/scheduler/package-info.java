/**
 * Scheduled audits: windows from configuration ({@code config}), pure window arithmetic ({@code window}), the
 * window ledger that makes each window run exactly once ({@code ledger}), the runner that claims and audits due
 * windows ({@code run}), near-real-time re-audits ({@code nrt}), alerts ({@code alert}), Quartz wiring
 * ({@code quartz}) and run history ({@code history}).
 */
package dev.attest.scheduler;
