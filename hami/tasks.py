from celery import shared_task


@shared_task(acks_late=True)
def ping() -> str:
    """Answers 'pong': lets an operator (and the integration test) see that a worker runs."""
    return "pong"
