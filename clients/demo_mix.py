"""How many demo clients of a centre end their journey in each situation (clients/demo.py
plays the journeys)."""

import random
from dataclasses import dataclass

NATIONAL_CLIENTS_PER_CENTRE = 200  # 16 centres → 3,200 entrants, as the programme reported


@dataclass(frozen=True)
class Mix:
    """How many clients of a centre end their demo journey in each situation."""

    trained: int
    withdrawn_in_training: int
    training: int  # in training now, in the running course(s)
    waiting: int  # on the waiting list of a full centre; the first one is offered a seat
    withdrawn_early: int  # at intake, after assessment or while not ready
    not_ready: int
    assessed: int
    intake: int

    @property
    def total(self) -> int:
        return sum(vars(self).values())


def plan_mix(rng: random.Random, *, scale: str, capacity: int, full: bool) -> Mix:
    """A full centre has all its seats taken and 3–5 waiting; the others are part-full."""
    waiting = rng.randint(3, 5) if full else 0
    if scale == "national":
        training = capacity if full else rng.randint(capacity // 2, capacity * 3 // 4)
        rest = Mix(
            trained=0,
            withdrawn_in_training=rng.randint(12, 18),
            training=training,
            waiting=waiting,
            withdrawn_early=rng.randint(14, 20),
            not_ready=rng.randint(6, 10),
            assessed=rng.randint(5, 9),
            intake=rng.randint(4, 8),
        )
        return Mix(**{**vars(rest), "trained": NATIONAL_CLIENTS_PER_CENTRE - rest.total})
    return Mix(
        trained=rng.randint(6, 9),
        withdrawn_in_training=1,
        training=capacity if full else rng.randint(10, min(14, capacity)),
        waiting=waiting,
        withdrawn_early=rng.randint(1, 3),
        not_ready=rng.randint(2, 4),
        assessed=rng.randint(3, 5),
        intake=rng.randint(2, 4),
    )
