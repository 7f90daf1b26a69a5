"""pipeline room: a take -> renderer-ready snapshot (take_state), render jobs with progress and
cancellation (job, cancel), the per-frame disk cache (frame_cache) and the export writers (export/)."""
