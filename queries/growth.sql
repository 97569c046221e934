-- Year-over-year growth on like periods: total revenue against revenue excluding the partner, with a reconciliation (partner change + rest change = total change) and each part's contribution to total growth. A partner revenue that is a lower bound (a group member undisclosed) gives no change: a difference of lower bounds bounds nothing. A growth rate from a base of zero or less (revenue excluding the partner can be negative when the partner's exceeds the total) is NULL: no percentage describes it. One-offs stay in (`has_one_off`, `prior_has_one_off` say where). A prior period on another accounting basis (`prior_basis`) is no like-for-like comparison: `basis_break` is true and the prior figures and every change are NULL.
-- @param company VARCHAR = DEFAULT_COMPANY  -- company to analyse
-- @param partner VARCHAR = DEFAULT_PARTNER  -- partner excluded: a counterparty alone, or a group
-- @param period_kind VARCHAR = 'quarter' in (quarter, half, year)  -- quarter or half (like periods a year apart), or year
-- @param from_period PERIOD START = NULL  -- first period shown, e.g. 2013Q1
-- @param to_period PERIOD END = NULL  -- last period shown, e.g. 2016Q4
-- @param basis VARCHAR = NULL  -- show every period on this accounting basis (e.g. ASC 605); default: each period's latest publication
-- @param as_of DATE = NULL  -- only figures published on or before this date (point in time)
WITH periods AS (
    SELECT *, CASE WHEN NOT partner_revenue_is_lower_bound THEN partner_revenue END
                  AS exact_partner_revenue
    FROM partner_periods($company, $partner, $period_kind)
),
cur AS (
    SELECT *, total_revenue - exact_partner_revenue AS rest_revenue FROM periods
),
joined AS (
    SELECT c.*, p.period AS prior_period, p.total_revenue AS prior_total_revenue,
           p.partner_revenue AS prior_partner_revenue,
           p.partner_revenue_is_lower_bound AS prior_partner_revenue_is_lower_bound,
           p.exact_partner_revenue AS prior_exact_partner_revenue,
           p.rest_revenue AS prior_rest_revenue,
           p.has_one_off AS prior_has_one_off,
           p.basis AS prior_basis,
           p.source AS prior_source
    FROM cur c
    LEFT JOIN cur p ON p.period_start = c.period_start - INTERVAL 1 YEAR
),
-- A prior period on another basis is no comparison: its figures are withheld from every change.
compared AS (
    SELECT *, coalesce(basis IS DISTINCT FROM prior_basis AND prior_period IS NOT NULL
                       AND prior_basis IS NOT NULL AND basis IS NOT NULL, false) AS basis_break
    FROM joined
),
like_for_like AS (
    SELECT * REPLACE (
        CASE WHEN basis_break THEN NULL ELSE prior_total_revenue END AS prior_total_revenue,
        CASE WHEN basis_break THEN NULL ELSE prior_partner_revenue END AS prior_partner_revenue,
        CASE WHEN basis_break THEN NULL ELSE prior_exact_partner_revenue END
            AS prior_exact_partner_revenue,
        CASE WHEN basis_break THEN NULL ELSE prior_rest_revenue END AS prior_rest_revenue)
    FROM compared
)
SELECT company, $partner AS partner, period, period_kind, period_start, period_end, currency,
       basis, prior_basis, basis_break,
       prior_period,
       total_revenue, prior_total_revenue,
       CASE WHEN prior_total_revenue > 0 THEN total_revenue / prior_total_revenue - 1 END
           AS total_yoy,
       rest_revenue AS revenue_ex_partner, prior_rest_revenue AS prior_revenue_ex_partner,
       CASE WHEN prior_rest_revenue > 0 THEN rest_revenue / prior_rest_revenue - 1 END
           AS ex_partner_yoy,
       partner_revenue, prior_partner_revenue,
       partner_revenue_is_lower_bound,
       coalesce(prior_partner_revenue_is_lower_bound, false) AS prior_partner_revenue_is_lower_bound,
       exact_partner_revenue - prior_exact_partner_revenue AS partner_change,
       rest_revenue - prior_rest_revenue AS rest_change,
       total_revenue - prior_total_revenue AS total_change,
       (exact_partner_revenue - prior_exact_partner_revenue) / prior_total_revenue
           AS partner_contribution,
       (rest_revenue - prior_rest_revenue) / prior_total_revenue AS rest_contribution,
       (exact_partner_revenue - prior_exact_partner_revenue) + (rest_revenue - prior_rest_revenue)
           = total_revenue - prior_total_revenue AS reconciles,
       has_one_off,
       coalesce(prior_has_one_off, false) AS prior_has_one_off,
       derived,
       concat_ws(' | ', source, prior_source) AS source
FROM like_for_like
WHERE ($from_period IS NULL OR period_start >= $from_period)
  AND ($to_period IS NULL OR period_end <= $to_period)
ORDER BY period_start
