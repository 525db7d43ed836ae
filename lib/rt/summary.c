/* summary.c - the --summary-json file (DESIGN.md "client mode"; scripts/tcpe-report merges them). */
#include "summary.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_version.h>

#include "client.h"
#include "stats_view.h"

#ifndef TCPE_VERSION
#define TCPE_VERSION "unknown"
#endif

void
summary_sample(struct summary *sm, double now, const struct tcpe_stats *total)
{
	if (sm->n == 0)
		sm->start = now;
	if (sm->n == sm->cap) {
		uint32_t cap = sm->cap ? sm->cap * 2 : 64;
		struct summary_sample *s;

		if (sm->n >= SUMMARY_MAX_SECONDS || (s = realloc(sm->s, sizeof(*s) * cap)) == NULL) {
			sm->dropped++;
			return;
		}
		sm->s = s;
		sm->cap = cap;
	}
	sm->s[sm->n++] = (struct summary_sample){
		.t = (int64_t)now, .sent = total->client_sent, .responses = total->client_requests,
		.errors = total->client_errors, .conn_opened = total->conn_opened,
		.active_opens = total->active_opens, .data_rx_bytes = total->data_rx_bytes,
		.rx_bytes = total->rx_bytes, .tx_bytes = total->tx_bytes,
	};
}

/* One series: the per-second differences of field @p off of the samples. */
static void
series(FILE *f, const struct summary *sm, const char *name, size_t off, int last)
{
	fprintf(f, "    \"%s\": [", name);
	for (uint32_t i = 1; i < sm->n; i++) {
		uint64_t a = *(const uint64_t *)((const char *)&sm->s[i - 1] + off);
		uint64_t b = *(const uint64_t *)((const char *)&sm->s[i] + off);

		fprintf(f, "%s%llu", i > 1 ? ", " : "", (unsigned long long)(b - a));
	}
	fprintf(f, "]%s\n", last ? "" : ",");
}

int
summary_write(const struct summary *sm, const char *path, const struct tcpe_config *cfg,
	      const struct tcpe_stats *total, const uint64_t *hist, double end, FILE *err)
{
	FILE *f = fopen(path, "w");
	char host[256] = "";
	int rc;

	if (f == NULL) {
		rc = -errno;
		fprintf(err, "tcpe: --summary-json: cannot write '%s': %s\n", path, strerror(-rc));
		return rc;
	}
	gethostname(host, sizeof(host) - 1);
	fprintf(f, "{\n  \"tcpe_summary\": 1,\n  \"version\": \"%s\",\n  \"dpdk\": \"%s\",\n",
		TCPE_VERSION, rte_version());
	fputs("  \"host\": ", f);
	config_json_string(f, host);
	fprintf(f, ",\n  \"pid\": %ld,\n  \"start\": %.3f,\n  \"end\": %.3f,\n  \"duration_s\": %.3f,\n",
		(long)getpid(), sm->n ? sm->start : end, end, sm->n ? end - sm->start : 0.0);
	fputs("  \"options\": ", f);
	config_json(cfg, f);
	fprintf(f, ",\n  \"requests\": %llu,\n  \"responses\": %llu,\n  \"errors\": %llu,\n",
		(unsigned long long)total->client_sent, (unsigned long long)total->client_requests,
		(unsigned long long)total->client_errors);
	fputs("  \"totals\": {", f);
	stats_json_object(f, total);
	/* series[k] covers the second from t[k] to t[k] + 1 (whole Unix seconds: they line up
	 * across processes and machines with synchronised clocks) */
	fprintf(f, ",\n  \"series_truncated\": %s,\n  \"series\": {\n    \"t\": [",
		sm->dropped ? "true" : "false");
	for (uint32_t i = 1; i < sm->n; i++)
		fprintf(f, "%s%lld", i > 1 ? ", " : "", (long long)sm->s[i - 1].t);
	fputs("],\n", f);
	series(f, sm, "requests", offsetof(struct summary_sample, sent), 0);
	series(f, sm, "responses", offsetof(struct summary_sample, responses), 0);
	series(f, sm, "errors", offsetof(struct summary_sample, errors), 0);
	series(f, sm, "conn_opened", offsetof(struct summary_sample, conn_opened), 0);
	series(f, sm, "active_opens", offsetof(struct summary_sample, active_opens), 0);
	series(f, sm, "data_rx_bytes", offsetof(struct summary_sample, data_rx_bytes), 0);
	series(f, sm, "rx_bytes", offsetof(struct summary_sample, rx_bytes), 0);
	series(f, sm, "tx_bytes", offsetof(struct summary_sample, tx_bytes), 1);
	fputs("  },\n  \"latency_us\": ", f);
	if (hist == NULL) {
		fputs("null\n", f);
	} else {
		bool first = true;

		fputs("{\"scheme\": \"log-linear, 3 significant bits\", \"buckets\": [", f);
		for (unsigned int b = 0; b < CLIENT_LAT_BUCKETS; b++) {
			if (hist[b] == 0)
				continue;
			fprintf(f, "%s[%llu, %llu, %llu]", first ? "" : ", ",
				(unsigned long long)client_lat_value(b),
				(unsigned long long)(b + 1 < CLIENT_LAT_BUCKETS ?
						     client_lat_value(b + 1) : UINT64_MAX),
				(unsigned long long)hist[b]);
			first = false;
		}
		fputs("]}\n", f);
	}
	fputs("}\n", f);
	rc = ferror(f) ? -EIO : 0;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc != 0)
		fprintf(err, "tcpe: --summary-json: writing '%s' failed: %s\n", path, strerror(-rc));
	return rc;
}

void
summary_free(struct summary *sm)
{
	free(sm->s);
	memset(sm, 0, sizeof(*sm));
}
