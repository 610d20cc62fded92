import type { Member } from "./draw.js";

/** An inspection as stored: the draw and everything needed to check it. */
export interface InspectionRecord {
  id: string;
  districtId: string;
  year: number;
  seed: string;
  sampleSize: number;
  population: { count: number; hash: string };
  /** each sampled project with its community (findings and events need it) */
  items: (Member & { communityId: string })[];
  drawnAt: string;
  drawnBy: string;
}

export interface FindingRecord {
  inspectionId: string;
  proposalId: string;
  communityId: string;
  streetId: string;
  districtId: string;
  year: number;
  passed: boolean;
  issues: string[];
  recordedAt: string;
  recordedBy: string;
  rectifyWorkingDays?: number;
  rectifyDueAt?: string;
  provisional?: boolean;
  rectifiedAt?: string;
}

export interface SurveyRecord {
  streetId: string;
  districtId: string;
  year: number;
  respondents: number;
  aware: number;
  recordedAt: string;
  recordedBy: string;
}
