-- Dated events of a company for chart annotations, with their sources.
-- @param company VARCHAR = 'Weibo'  -- company
-- @param annotated_only BOOLEAN = true  -- only the events marked for annotation
SELECT company, event_date, date_precision, label, description, source
FROM events_of($company)
WHERE company = $company AND (annotate OR NOT $annotated_only)
ORDER BY event_date, label
