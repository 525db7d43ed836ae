/* summary.h - --summary-json: a run's options, totals, per-second series and whole latency histogram, written at exit. */
#ifndef TCPE_SUMMARY_H
#define TCPE_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "stats.h"

#define SUMMARY_MAX_SECONDS 86400	/**< a day of per-second samples; later ones are not kept */

/** One second's running totals (what the series are built from). */
struct summary_sample {
	int64_t t;		/**< Unix time, whole seconds */
	uint64_t sent, responses, errors, conn_opened, active_opens, data_rx_bytes, rx_bytes,
		 tx_bytes;
};

/** The samples of a run, taken by the control core once a second. */
struct summary {
	double start;		/**< Unix time of the first sample */
	struct summary_sample *s;
	uint32_t n, cap;
	uint32_t dropped;	/**< samples past SUMMARY_MAX_SECONDS */
};

/** Take a sample of the running totals @p total at Unix time @p now (the first one sets the start). */
void summary_sample(struct summary *sm, double now, const struct tcpe_stats *total);

/**
 * Write the summary to @p path: tcpe's version, @p cfg's options, the totals @p total, the
 * series (per-second differences of the samples, on whole Unix seconds) and, in client mode, the
 * latency histogram @p hist (CLIENT_LAT_BUCKETS counts; NULL: none) as [lower_us, upper_us, count]
 * rows of its non-empty buckets, so that summaries of several processes merge by adding counts.
 * @return 0, or -errno (message written to @p err).
 */
int summary_write(const struct summary *sm, const char *path, const struct tcpe_config *cfg,
		  const struct tcpe_stats *total, const uint64_t *hist, double end, FILE *err);

/** Free the samples. */
void summary_free(struct summary *sm);

#endif
