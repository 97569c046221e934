-- Each partner's share of total revenue and of its own stream, per period, with a trailing-twelve-month share (quarters and halves: NULL for years): one row per partner and period, `partner` saying which, in the order the partners were given. NULL where the partner's revenue was not disclosed: unknown is not zero. Where a member of the partner's group has no figure that period, the amounts are the known members' sum and `share_is_lower_bound` is true. `share_of_total_excl_one_offs` leaves one-off leaves out of both sides (`has_one_off`, `one_off_revenue` say which periods hold them), and `ttm_share_of_total_excl_one_offs` likewise over the twelve months (`ttm_has_one_off`: one of them holds one); `disclosed_share_of_total` and `disclosed_share_of_stream` are shares printed only as percentages (`disclosed_shares`), for every period including those without amounts. `basis` is the accounting basis the period's figures are on; `basis_break` is true where the TTM window holds periods on different bases, and the TTM columns are then NULL: no sum mixes bases.
-- @param company VARCHAR = DEFAULT_COMPANY  -- company to analyse
-- @param partner VARCHAR[] = DEFAULT_PARTNER  -- partners: each a counterparty alone, or a group (a name that is the group of other counterparties); one name is a list of one, repeat --param partner=... for several
-- @param period_kind VARCHAR = 'quarter' in (quarter, half, year)  -- quarter, half or year
-- @param from_period PERIOD START = NULL  -- first period shown, e.g. 2013Q1 (TTM still uses earlier periods)
-- @param to_period PERIOD END = NULL  -- last period shown, e.g. 2016Q4
-- @param basis VARCHAR = NULL  -- show every period on this accounting basis (e.g. ASC 605); default: each period's latest publication
-- @param as_of DATE = NULL  -- only figures published on or before this date (point in time)
WITH partners AS (  -- the partners in the order given, each once
    SELECT partner, min(position) AS partner_position
    FROM (SELECT unnest($partner) AS partner, generate_subscripts($partner, 1) AS position)
    GROUP BY partner
),
-- What each name stands for (as `partner_scope` in views.sql, whose DISTINCT ... ORDER BY on
-- the partner DuckDB refuses when the partner is a column of a lateral join).
scopes AS (
    SELECT p.partner, bool_or(m.counterparty <> p.partner) AS is_group,
           string_agg(m.counterparty, ', ' ORDER BY m.counterparty <> p.partner, m.counterparty)
               AS members
    FROM partners p,
         LATERAL (SELECT DISTINCT counterparty FROM partner_members($company, p.partner)) m
    GROUP BY p.partner
),
with_ttm AS (
    SELECT pp.*, p.partner, p.partner_position,
           sum(partner_revenue) OVER w AS ttm_partner,
           sum(total_revenue) OVER w AS ttm_total,
           sum(partner_revenue_excl_one_offs) OVER w AS ttm_partner_excl,
           sum(total_revenue_excl_one_offs) OVER w AS ttm_total_excl,
           bool_or(has_one_off) OVER w AS ttm_one_offs,
           bool_or(partner_revenue_is_lower_bound) OVER w AS ttm_partner_lower_bound,
           (count(partner_revenue) OVER w = 4 AND period_kind = 'quarter')
               OR (count(partner_revenue) OVER w = 2 AND period_kind = 'half')
               AS ttm_partner_known,
           (count(total_revenue) OVER w = 4 AND period_kind = 'quarter')
               OR (count(total_revenue) OVER w = 2 AND period_kind = 'half') AS ttm_total_known,
           count(DISTINCT basis) OVER w > 1 AND period_kind IN ('quarter', 'half') AS basis_break
    FROM partners p, LATERAL partner_periods($company, p.partner, $period_kind) pp
    WINDOW w AS (PARTITION BY p.partner ORDER BY period_start
                 RANGE BETWEEN INTERVAL 11 MONTH PRECEDING AND CURRENT ROW)
)
SELECT company, w.partner, period, period_kind, period_start, period_end, currency,
       basis,
       partner_revenue,
       total_revenue,
       partner_revenue / total_revenue AS share_of_total,
       partner_stream,
       stream_revenue,
       partner_revenue / stream_revenue AS share_of_stream,
       partner_revenue_is_lower_bound AS share_is_lower_bound,
       partner_revenue_excl_one_offs,
       total_revenue_excl_one_offs,
       partner_revenue_excl_one_offs / total_revenue_excl_one_offs AS share_of_total_excl_one_offs,
       has_one_off,
       one_off_revenue,
       one_off_counterparties,
       disclosed_share_of_total,
       disclosed_share_of_stream,
       disclosed_stream,
       disclosed_share_of_total_precision,
       disclosed_share_of_stream_precision,
       disclosed_source,
       CASE WHEN ttm_partner_known AND ttm_total_known AND NOT basis_break THEN ttm_partner END
           AS ttm_partner_revenue,
       CASE WHEN ttm_total_known AND NOT basis_break THEN ttm_total END AS ttm_total_revenue,
       CASE WHEN ttm_partner_known AND ttm_total_known AND NOT basis_break
            THEN ttm_partner / ttm_total END AS ttm_share_of_total,
       ttm_partner_known AND ttm_total_known AND NOT basis_break AND ttm_partner_lower_bound
           AS ttm_share_is_lower_bound,
       CASE WHEN ttm_partner_known AND ttm_total_known AND NOT basis_break
            THEN ttm_partner_excl / ttm_total_excl END AS ttm_share_of_total_excl_one_offs,
       coalesce(ttm_one_offs, false) AS ttm_has_one_off,
       basis_break,
       scope.is_group AS partner_is_group,
       scope.members AS partner_members,
       derived,
       source
FROM with_ttm w
LEFT JOIN scopes AS scope ON scope.partner = w.partner
WHERE ($from_period IS NULL OR period_start >= $from_period)
  AND ($to_period IS NULL OR period_end <= $to_period)
ORDER BY period_start, partner_position
