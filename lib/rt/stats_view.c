/* stats_view.c - counter snapshots across workers and their JSON form, from the one descriptor table. */
#include "stats_view.h"

#include <string.h>

void
stats_snapshot(struct worker *const *workers, unsigned int n, struct tcpe_stats *out)
{
	uint64_t *sum = (uint64_t *)&out[n];

	memset(&out[n], 0, sizeof(out[n]));
	for (unsigned int w = 0; w < n; w++) {
		uint64_t *d = (uint64_t *)&out[w];

		for (unsigned int i = 0; i < tcpe_stat_ndescs; i++) {
			uint32_t idx = tcpe_stat_descs[i].index;

			d[idx] = tcpe_stats_word(&workers[w]->st, idx);
			sum[idx] += d[idx];
		}
	}
}

void
stats_json_object(FILE *f, const struct tcpe_stats *s)
{
	for (unsigned int i = 0; i < tcpe_stat_ndescs; i++)
		fprintf(f, "\"%s\": %llu, ", tcpe_stat_descs[i].name,
			(unsigned long long)tcpe_stats_word(s, tcpe_stat_descs[i].index));
	fprintf(f, "\"drops\": %llu}", (unsigned long long)tcpe_stats_drops(s));
}
