/* stats_view.h - consistent snapshots of every worker's counters and their JSON form: what the console, --stats-json, /stats.json and telemetry all show. */
#ifndef TCPE_STATS_VIEW_H
#define TCPE_STATS_VIEW_H

#include <stdio.h>

#include "stats.h"
#include "worker.h"

/**
 * Read every worker's counters once into @p out[0..n-1] and their sum into @p out[n], so that a
 * view is consistent (its total is the sum of the per-worker values shown with it). Any thread.
 */
void stats_snapshot(struct worker *const *workers, unsigned int n, struct tcpe_stats *out);

/** Write @p s as the members of a JSON object, every counter plus "drops", and the closing
 * brace (the caller wrote the opening one). */
void stats_json_object(FILE *f, const struct tcpe_stats *s);

#endif
