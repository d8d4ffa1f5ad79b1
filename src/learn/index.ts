/**
 * Learning from incidents (issue #7): a blameless postmortem draft rendered from an incident's timeline, and a
 * regression scenario cut from the recorded traffic around it for the eval corpus.
 */
export { renderPostmortem, type PostmortemInput } from './postmortem.js';
export {
  exportWindow,
  firstAlertArrival,
  scenarioReadme,
  sliceCapture,
  toScenarioTruth,
  type CaptureSlice,
  type ExportedTruth,
  type ExportedTruthIncident,
  type ExportWindow,
  type SliceContents,
} from './scenario-export.js';
