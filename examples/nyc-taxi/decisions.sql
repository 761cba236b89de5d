-- The taximeter's decision: the surcharge it put on the fare, decided when the trip ended.
-- It records no rule reference, so price_policy_id/price_version stay null (a lineage gap by design).
-- Before the surcharge existed the column is empty: the meter charged nothing, i.e. amount 0.
SELECT 'meter-' || trip_id AS decision_id,
       'trip-' || trip_id AS event_id,
       'vendor-' || vendor_id AS customer_id,
       'congestion_surcharge' AS meter,
       'charged' AS outcome,
       coalesce(nullif(congestion_surcharge, ''), '0') AS amount,
       'USD' AS currency,
       dropoff_datetime AS decided_at
FROM trips
