/* ctrl.h - the control core: periodic per-worker report, JSON lines, trace printing, final totals. */
#ifndef TCPE_CTRL_H
#define TCPE_CTRL_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"
#include "config.h"
#include "link.h"
#include "stats.h"
#include "summary.h"
#include "trace.h"
#include "worker.h"

#define CTRL_MAX_WORKERS 128

/** Control-core state. It only reads worker counters and drains their trace rings. */
struct ctrl {
	struct worker **workers;
	unsigned int nworkers;
	const struct tcpe_config *cfg;
	FILE *out;			/**< console report */
	FILE *json;			/**< --stats-json, or NULL */
	struct tcpe_stats prev[CTRL_MAX_WORKERS + 1]; /**< last snapshot; [nworkers] = total */
	struct tcpe_stats cur[CTRL_MAX_WORKERS + 1];  /**< snapshot being reported */
	uint64_t prev_tsc;
	double prev_wall;		/**< Unix time of the prev snapshot (0: none yet) */
	uint64_t start_tsc;
	struct trace_printer tp;
	struct httpd *httpd;		/**< --prometheus endpoint, or NULL */
	struct port_link *links;	/**< the ports' gates, stepped every poll (link.h) */
	uint16_t nlinks;
	struct tcpe_stats *stp[CTRL_MAX_WORKERS];	/**< each worker's live counters */
	uint64_t (*lat_prev)[CLIENT_LAT_BUCKETS]; /**< client mode: each worker's histogram at the last report */
	uint64_t (*lat_iv)[CLIENT_LAT_BUCKETS];	  /**< the last interval's: per worker, [nworkers] merged */
	struct summary summary;		/**< --summary-json's samples, once a second */
};

/**
 * Prepare reporting for @p n workers and the gates of @p nlinks ports. Opens --stats-json for
 * appending and the --prometheus endpoint.
 * @return 0, or -errno when either cannot be opened (message printed).
 */
int ctrl_init(struct ctrl *c, struct worker **workers, unsigned int n,
	      const struct tcpe_config *cfg, struct port_link *links, uint16_t nlinks, FILE *out);

/**
 * Run until @p stop becomes non-zero or --duration elapses: drain traces, step the port gates
 * and serve the HTTP endpoint every few milliseconds, report every --stats-interval. Sleeps
 * between polls (the control lcore may share a CPU with a worker).
 */
void ctrl_run(struct ctrl *c, volatile sig_atomic_t *stop);

/** Print cumulative totals (every non-zero counter, per worker and total); write a last JSON line. */
void ctrl_final(struct ctrl *c);

/** Close the JSON file. */
void ctrl_fini(struct ctrl *c);

#endif
