/* telemetry.h - tcpe's commands on DPDK's telemetry socket: /tcpe/stats, /tcpe/workers, /tcpe/drops, /tcpe/ports, /tcpe/config. */
#ifndef TCPE_TELEMETRY_H
#define TCPE_TELEMETRY_H

#include "config.h"
#include "worker.h"

/**
 * Register the /tcpe/ commands, serving @p n workers' counters and @p cfg. Control core only,
 * once, after the workers exist. DPDK 22.11's telemetry callbacks take no context argument, so
 * the view is kept in one file-scope pointer; the callbacks run on DPDK's telemetry thread and
 * only read (counters racily, as the control core does).
 * @return 0, or a negative errno from rte_telemetry_register_cmd().
 */
int telemetry_init(struct worker **workers, unsigned int n, const struct tcpe_config *cfg);

/** Stop serving worker data (before the workers are destroyed). */
void telemetry_fini(void);

#endif
