-- Dated relationships between a company and a partner (equity stakes, strategic cooperations), for shading partnership periods.
-- @param company VARCHAR = DEFAULT_COMPANY  -- company
-- @param partner VARCHAR = DEFAULT_PARTNER  -- partner (a counterparty or its group)
-- @param basis VARCHAR = NULL  -- show every period on this accounting basis (e.g. ASC 605); default: each period's latest publication
-- @param as_of DATE = NULL  -- only figures published on or before this date (point in time)
SELECT company, partner, kind, start_date, end_date, stake_percent, source
FROM partnerships_of($company)
WHERE company = $company
  AND partner IN (SELECT counterparty FROM partner_members($company, $partner)
                  UNION SELECT $partner)
ORDER BY start_date, kind
