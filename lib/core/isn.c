/* isn.c - RFC 6528 initial sequence numbers over SipHash-2-4. */
#include "isn.h"

#include <string.h>

static inline uint64_t
rotl(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t
load64le(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define SIPROUND(v0, v1, v2, v3) do {					\
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);	\
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;			\
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;			\
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);	\
	} while (0)

uint64_t
siphash24(const uint8_t key[16], const void *data, unsigned int len)
{
	const uint8_t *in = data;
	uint64_t k0 = load64le(key), k1 = load64le(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56;
	unsigned int full = len & ~7u;

	for (unsigned int i = 0; i < full; i += 8) {
		uint64_t m = load64le(in + i);

		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (unsigned int i = 0; i < (len & 7); i++)
		b |= (uint64_t)in[full + i] << (8 * i);
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t
tcp_isn(const uint8_t key[16], const void *tuple, unsigned int len, uint64_t now_us)
{
	return (uint32_t)(now_us >> 2) + (uint32_t)siphash24(key, tuple, len);
}

bool
tcp_isn_recent(const uint8_t key[16], const void *tuple, unsigned int len, uint32_t isn,
	       uint64_t now_us, uint64_t window_us)
{
	uint32_t born = isn - (uint32_t)siphash24(key, tuple, len);	/* the clock then, in 4 us */
	uint32_t age = (uint32_t)(now_us >> 2) - born;

	return window_us < (1ULL << 34) && age < (window_us >> 2) + 1;
}
