// Original file: cdnlab/origin/v1/origin.proto


export interface SetSiteRequest {
  /**
   * The site as JSON, in the shape of the origin config's `site`:
   * {"paths": [{"match": "/img/*", "headers": {...}, ...}], "versionEveryMs": 60000}.
   * Checked as the config is; a bad field is INVALID_ARGUMENT naming it.
   */
  'siteJson'?: (string);
}

export interface SetSiteRequest__Output {
  /**
   * The site as JSON, in the shape of the origin config's `site`:
   * {"paths": [{"match": "/img/*", "headers": {...}, ...}], "versionEveryMs": 60000}.
   * Checked as the config is; a bad field is INVALID_ARGUMENT naming it.
   */
  'siteJson': (string);
}
