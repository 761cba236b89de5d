-- One usage event per trip. The sample has no trip id, so the id is a digest of the trip's own columns.
-- Timestamps are New York wall-clock time without an offset: run with --assume-zone America/New_York.
-- "Manhattan south of 96th Street" is approximated by the TLC's Manhattan "Yellow Zone" service zones
-- without Manhattan Valley (151) and Randalls Island (194); a trip that only passes through is not visible.
WITH zones AS (
  SELECT PULocationID AS id FROM read_csv('${DATA}/taxi_zone_lookup.csv', header = true)
  WHERE Borough = 'Manhattan' AND service_zone = 'Yellow Zone' AND PULocationID NOT IN (151, 194)
), trips AS (
  SELECT *, md5(concat_ws('|', vendor_id, pickup_datetime, dropoff_datetime, pickup_location_id, dropoff_location_id,
                          trip_distance, total_amount, filename)) AS trip_id
  -- The samples mix line endings (header \n, rows \r\n), which DuckDB's strict CSV mode rejects.
  FROM read_csv('${DATA}/yellow_tripdata_sample_*.csv', header = true, all_varchar = true, filename = true, strict_mode = false)
)
