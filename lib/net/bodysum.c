/* bodysum.c - the per-phase sums behind body_sum(). */
#include "bodysum.h"

#include <errno.h>
#include <string.h>

#include <rte_ip.h>

int
body_sums_init(struct body_sums *bs, const uint8_t *base, uint32_t len, uint32_t period)
{
	memset(bs, 0, sizeof(*bs));
	if (period == 0 || period % 2 != 0 || period > BODY_SUM_PERIOD_MAX || len < 2 * period)
		return -EINVAL;
	for (uint32_t i = period; i < len; i++)
		if (base[i] != base[i - period])
			return -EINVAL;	/* not periodic: no shortcut */
	bs->base = base;
	bs->len = len;
	bs->period = period;
	for (uint32_t ph = 0; ph < period; ph++) {
		bs->full[ph] = __rte_raw_cksum(base + ph, period, 0);
		for (uint32_t n = 0; n < period; n++)
			bs->part[ph][n] = __rte_raw_cksum(base + ph, n, 0);
	}
	return 0;
}
