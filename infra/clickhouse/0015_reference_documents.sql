-- The reference documents of shipments and receipts (issue 18, FSMA 204's reference document
-- type and number; BatchShipped and BatchReceived v3): each line of the event carries the event's
-- documents, in its order, so the FSMA export reads them with the line it already reads. Rows
-- written before read [], as events of v1 and v2 do.

ALTER TABLE shipments ADD COLUMN IF NOT EXISTS reference_documents Array(Tuple(type String, number String));

ALTER TABLE receipts ADD COLUMN IF NOT EXISTS reference_documents Array(Tuple(type String, number String));
