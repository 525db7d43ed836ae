/* seq.h - TCP sequence-number comparisons modulo 2^32 (RFC 9293 §3.4). */
#ifndef TCPE_SEQ_H
#define TCPE_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/** a < b in sequence space. */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
/** a <= b in sequence space. */
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
/** a > b in sequence space. */
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
/** a >= b in sequence space. */
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
/** lo <= x < hi, for a window [lo, hi) of less than 2^31 (hi == lo is the empty window). */
static inline bool seq_in(uint32_t x, uint32_t lo, uint32_t hi) { return x - lo < hi - lo; }
/** The later of a and b. */
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }
/** The earlier of a and b. */
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }

#endif
