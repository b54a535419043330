"""Customer service: tickets and complaints, queues, SLA clocks, e-mail to ticket."""
