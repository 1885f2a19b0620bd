"""Commerce services, one module per concern.

* :mod:`.orders` — record orders, payments, shipments, digital deliveries;
* :mod:`.routing` — one purchase, one ticket (link tickets, route new contacts);
* :mod:`.refunds` — the itemised refund, its approval, payment and promise;
* :mod:`.webhooks` — signed order deliveries;
* :mod:`.importer` — streaming CSV import of orders;
* :mod:`.notifications` — factual status updates to the customer.
"""
