SELECT 'trip-' || trip_id AS event_id,
       'vendor-' || vendor_id AS customer_id,
       'congestion_surcharge' AS meter,
       '1' AS quantity,
       pickup_datetime AS event_time,
       json_object('manhattan_south_96',
                   CASE WHEN try_cast(pickup_location_id AS INTEGER) IN (SELECT id FROM zones)
                          OR try_cast(dropoff_location_id AS INTEGER) IN (SELECT id FROM zones) THEN 'yes' ELSE 'no' END)::VARCHAR AS dimensions
FROM trips
