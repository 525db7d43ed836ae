/* steer.c - the owner map every worker shares and the rings of software steering. */
#include "steer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void
steer_init(struct steer *s, unsigned int self, unsigned int nworkers, unsigned int reta_size,
	   bool on)
{
	memset(s, 0, sizeof(*s));
	s->on = on && nworkers > 1;
	s->self = (uint16_t)self;
	s->nworkers = (uint16_t)nworkers;
	s->mask = (uint16_t)(reta_size - 1);
	for (unsigned int k = 0; k < STEER_RETA; k++)
		s->reta[k] = (uint8_t)(k % nworkers);
}

int
steer_connect(struct steer *const *all, const int *sockets, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		for (unsigned int j = 0; j < n && all[i]->on; j++) {
			char name[RTE_RING_NAMESIZE];
			struct rte_ring *r;

			if (j == i)
				continue;
			snprintf(name, sizeof(name), "tcpe_steer_%u_%u", i & 0xff, j & 0xff);
			r = rte_ring_create(name, STEER_RING_SIZE, sockets[j],
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL)
				return -ENOMEM;
			all[i]->out[j] = r;
			all[j]->in[i] = r;
		}
	}
	return 0;
}

void
steer_free_in(struct steer *s)
{
	for (unsigned int i = 0; i < STEER_WORKERS_MAX; i++) {
		rte_ring_free(s->in[i]);
		s->in[i] = NULL;
	}
}
