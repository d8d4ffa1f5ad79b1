/**
 * Notifications: routing incidents to receivers with Alertmanager's timing, silences and inhibition, and the stage
 * that persists and delivers them through the outbox.
 */
export { NotifyStage } from './notify-stage.js';
export type { IncidentChange, NotifyStageOptions, NotifyStageSettings, NotifyStorage, NotifyStores } from './notify-stage.js';
export { openFileSilences } from './shared-silences.js';
export type { SharedSilences } from './shared-silences.js';
export { Notifier } from './notifier.js';
export type { IncidentView, NotifierDeps, NotifyNote, NotificationSink } from './notifier.js';
export { needsUpdate } from './notify-decision.js';
export type { GroupState, GroupTiming, GroupView, NotifyDecision, NotifyReason } from './notify-decision.js';
export { notificationDigest, routingLabels } from './routing-labels.js';
