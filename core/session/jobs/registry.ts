/**
 * The job kinds a session runs, keyed by JobRequest.kind. A new kind (conformers, train, generate) is a module
 * beside these with a JobKindHandler, added here; the JobKindTable type makes the contract's union and this table agree.
 */
import { conformersJobKind } from './conformers-job-kind';
import { generateJobKind } from './generate-job-kind';
import { labelJobKind } from './label-job-kind';
import type { JobKindTable } from './job-kind';
import { mdJobKind } from './md-job-kind';
import { predictJobKind } from './predict-job-kind';
import { relaxJobKind } from './relax-job-kind';
import { trainJobKind } from './train-job-kind';

export const JOB_KINDS: JobKindTable = {
  predict: predictJobKind,
  relax: relaxJobKind,
  md: mdJobKind,
  conformers: conformersJobKind,
  generate: generateJobKind,
  train: trainJobKind,
  label: labelJobKind,
};
