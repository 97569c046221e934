-- Figures published more than once: per period and line (stream and counterparty; `all` for a printed total), the first-reported and the latest figure, the difference and the percentage. A restatement on another basis (continuing operations after a divestiture, a new accounting standard) and a correction on the same basis both show; figures read from filings only, not remainders. An unknown publication date counts as the oldest.
-- @param company VARCHAR = DEFAULT_COMPANY  -- company to analyse
-- @param from_period PERIOD START = NULL  -- first period shown, e.g. 2013Q1
-- @param to_period PERIOD END = NULL  -- last period shown, e.g. 2016Q4
-- @param basis VARCHAR = NULL  -- only publications on this accounting basis (corrections within it)
-- @param as_of DATE = NULL  -- only publications on or before this date (what was known then)
WITH published AS (
    SELECT company, period, period_start, period_end, stream, counterparty, basis, reported_on,
           amount, currency, source
    FROM revenue_vintages_of($company) WHERE NOT derived_by_tool(derivation)
    UNION ALL
    SELECT company, period, period_start, period_end, stream, total_counterparty(), basis,
           reported_on, amount, currency, source
    FROM reported_totals_vintages_of($company) WHERE NOT derived_by_tool(derivation)
),
counted AS (
    SELECT *, struct_pack(published := published_on(reported_on), basis := basis) AS publication
    FROM published
    WHERE company = $company
      AND ($basis IS NULL OR basis = $basis)
      AND ($as_of IS NULL OR published_on(reported_on) <= $as_of)
      AND ($from_period IS NULL OR period_start >= $from_period)
      AND ($to_period IS NULL OR period_end <= $to_period)
),
lines AS (
    SELECT company, period, any_value(period_start) AS period_start, stream, counterparty,
           any_value(currency) AS currency, count(*) AS publications,
           arg_min_null(basis, publication) AS first_basis,
           arg_min_null(reported_on, publication) AS first_reported_on,
           arg_min_null(amount, publication) AS first_amount,
           arg_max_null(basis, publication) AS latest_basis,
           arg_max_null(reported_on, publication) AS latest_reported_on,
           arg_max_null(amount, publication) AS latest_amount,
           arg_min_null(source, publication) AS first_source,
           arg_max_null(source, publication) AS latest_source
    FROM counted
    GROUP BY company, period, stream, counterparty
    HAVING count(*) > 1
)
SELECT company, period, stream, counterparty, currency, publications,
       first_basis, first_reported_on, first_amount,
       latest_basis, latest_reported_on, latest_amount,
       latest_amount - first_amount AS difference,
       CASE WHEN first_amount <> 0 THEN (latest_amount - first_amount) / first_amount END
           AS difference_pct,
       first_source, latest_source
FROM lines
ORDER BY period_start, stream, counterparty
