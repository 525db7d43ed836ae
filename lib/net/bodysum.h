/* bodysum.h - checksums of any range of the periodic body template in O(1), without reading it. */
#ifndef TCPE_BODYSUM_H
#define TCPE_BODYSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BODY_SUM_PERIOD_MAX 64

/**
 * The ones'-complement sums of a template whose bytes repeat with an even period: of one whole
 * period and of every shorter run, from each phase. A range of any length is then whole periods
 * plus one run (an even period keeps every period's 16-bit words in step).
 */
struct body_sums {
	const uint8_t *base;
	uint32_t len;
	uint32_t period;
	uint32_t full[BODY_SUM_PERIOD_MAX];			/**< [phase] */
	uint32_t part[BODY_SUM_PERIOD_MAX][BODY_SUM_PERIOD_MAX];	/**< [phase][bytes] */
};

/**
 * Precompute the sums of @p len bytes at @p base, which repeat every @p period bytes (even, at
 * most BODY_SUM_PERIOD_MAX, and @p len at least twice @p period). @return 0 or -EINVAL.
 */
int body_sums_init(struct body_sums *bs, const uint8_t *base, uint32_t len, uint32_t period);

/**
 * Ones'-complement sum (partly folded) of the @p n bytes at @p p (as rte_raw_cksum() would add them up,
 * 16-bit words from @p p on) into @p *sum, when they lie inside the template. @return false when
 * they do not (nothing written): the caller sums them itself.
 */
static inline bool
body_sum(const struct body_sums *bs, const void *p, uint32_t n, uint32_t *sum)
{
	uintptr_t at = (uintptr_t)p - (uintptr_t)bs->base;
	uint32_t phase;
	uint64_t s;

	if (bs->base == NULL || at >= bs->len || n > bs->len - at)
		return false;
	phase = (uint32_t)at % bs->period;
	s = (uint64_t)(n / bs->period) * bs->full[phase] + bs->part[phase][n % bs->period];
	s = (s & 0xffffffff) + (s >> 32);	/* folding keeps the sum mod 0xffff */
	*sum = (uint32_t)((s & 0xffff) + (s >> 16));
	return true;
}

#endif
