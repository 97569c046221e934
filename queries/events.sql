-- Dated events of a company for chart annotations, with their sources.
-- @param company VARCHAR = DEFAULT_COMPANY  -- company
-- @param annotated_only BOOLEAN = true  -- only the events marked for annotation
-- @param basis VARCHAR = NULL  -- show every period on this accounting basis (e.g. ASC 605); default: each period's latest publication
-- @param as_of DATE = NULL  -- only figures published on or before this date (point in time)
SELECT company, event_date, date_precision, label, description, source
FROM events_of($company)
WHERE company = $company AND (annotate OR NOT $annotated_only)
ORDER BY event_date, label
