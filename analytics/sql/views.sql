-- Helper views and macros over the tables, created on every connection.
-- They hold the rules that every query needs the same way: which publication of a figure a
-- period shows, what a period's total revenue is, when a stream's revenue is known, and the full
-- run of periods (so gaps show as gaps).
-- The rules are table macros taking the company. They read a company's stored rows through the
-- engine's `revenue_vintages_of(company)`, `reported_totals_vintages_of(company)`,
-- `counterparties_of(company)`, ...: over the stored files each opens that company's partition
-- file alone, so a one-company query neither lists nor reads any other company's files. NULL
-- stands for every company: the views named like the rules (`revenue`, `period_revenue`,
-- `stream_revenue`) are the rules over NULL, for cross-company SQL.

-- Publications. A figure may be published more than once: restated on another basis
-- (continuing operations after a divestiture, a new accounting standard) or corrected on the
-- same one. `<table>_vintages_of(company)` and the views `<table>_vintages` hold every
-- publication; `<table>_of(company)` and the views `<table>` what each period shows (one basis
-- per period, per line the latest publication: vintages.py defines the choice, made with the
-- connection: by default, or on a basis, or as published by a date).
CREATE VIEW revenue AS FROM revenue_of(NULL);
CREATE VIEW reported_totals AS FROM reported_totals_of(NULL);
CREATE VIEW disclosed_shares AS FROM disclosed_shares_of(NULL);

-- Fiscal calendars. periods.py is the rule: a fiscal year ends on the last day of month
-- `year_end_month` (12 when the company declares no `companies.fiscal_year_end`) and is named by
-- the calendar year it ends in; `2016H1` is its first half, `2016Q1` its first quarter. No SQL
-- here parses a label: stored rows are dated in Python (sql/period_dates.py), a named query's
-- `PERIOD START`/`PERIOD END` parameters arrive as dates (sql/parameters.py), and analysts' SQL
-- looks labels up in the view `period_calendar`, rendered from periods.py with `kind_months`,
-- `period_start_in(label, month)` and `period_end_in` (sql/period_dates.py).

-- The label of the period of `kind` starting on `start_date` (for period_spine, which counts
-- periods in dates): shifted to a calendar whose year ends in December, a fiscal period is a
-- calendar one. It formats a label, never parses one; a test holds it equal to periods.py.
CREATE MACRO fiscal_shift(day, year_end_month) AS
    (day + to_months(12 - coalesce(year_end_month, 12)))::DATE;
CREATE MACRO period_label(start_date, kind, year_end_month := 12) AS
    strftime(fiscal_shift(start_date, year_end_month), '%Y')
    || CASE kind WHEN 'year' THEN ''
                 WHEN 'half' THEN 'H' || ((month(fiscal_shift(start_date, year_end_month)) + 5)
                                          // 6)::VARCHAR
                 ELSE 'Q' || quarter(fiscal_shift(start_date, year_end_month))::VARCHAR END;
-- The month a fiscal year end `MM-DD` falls in (12 when none is declared), and a company's.
CREATE MACRO year_end_month(fiscal_year_end) AS
    coalesce(TRY_CAST(fiscal_year_end[1:2] AS INTEGER), 12);
CREATE MACRO year_end_month_of(which_company) AS
    year_end_month((SELECT any_value(fiscal_year_end)
                    FROM companies_of(coalesce(which_company, ''))));
-- The dates of a period label in a company's calendar (no company: the calendar year), looked
-- up in `period_calendar`, for ad hoc SQL: `period_start >= period_start_of('2016Q1', 'Weibo')`
-- (named queries bind dates). A label that is not a period is an error, not an empty result.
CREATE MACRO period_start_of(label, which_company := NULL) AS
    period_start_in(label, year_end_month_of(which_company));
CREATE MACRO period_end_of(label, which_company := NULL) AS
    period_end_in(label, year_end_month_of(which_company));

-- Every period of a kind between a company's first and last figure, including empty ones. A
-- disclosed share is a figure too: a period known only as a printed percentage is in the spine.
CREATE MACRO period_spine(which_company, kind) AS TABLE
    SELECT s.company, kind AS period_kind,
           period_label(d::DATE, kind, c.year_end_month) AS period, d::DATE AS period_start,
           (d + to_months(kind_months(kind)) - INTERVAL 1 DAY)::DATE AS period_end
    FROM (SELECT company, unnest(generate_series(lo, hi, to_months(kind_months(kind)))) AS d
          FROM (SELECT company, min(period_start)::TIMESTAMP AS lo,
                       max(period_start)::TIMESTAMP AS hi
                FROM (SELECT company, period_kind, period_start FROM revenue_of(which_company)
                      UNION ALL
                      SELECT company, period_kind, period_start
                      FROM disclosed_shares_of(which_company))
                WHERE period_kind = kind GROUP BY company)) AS s
    LEFT JOIN (SELECT company, year_end_month(fiscal_year_end) AS year_end_month
               FROM companies_of(which_company)) AS c ON c.company = s.company;

-- One row per period of a company: total revenue (printed, or derived from the fiscal year)
-- and the sum of its leaves. A period with leaves but no total has total_revenue NULL.
-- One-offs (leaves marked `one_off`) stay in total revenue; `one_off_revenue` is their sum (0
-- when none), `total_revenue_excl_one_offs` the total without them, `one_off_counterparties`
-- who paid them (alphabetical): the one definition of revenue excluding one-offs.
CREATE MACRO period_revenue(which_company) AS TABLE
WITH leaves AS (
    SELECT company, period, any_value(period_kind) AS period_kind,
           any_value(period_start) AS period_start, any_value(period_end) AS period_end,
           any_value(currency) AS currency, any_value(basis) AS basis,
           sum(amount) AS leaves_total,
           bool_or(stream = unattributed_stream()) AS has_unattributed_stream,
           coalesce(bool_or(one_off), false) AS has_one_off,
           coalesce(sum(amount) FILTER (WHERE one_off), 0) AS one_off_revenue,
           string_agg(DISTINCT counterparty, ', ' ORDER BY counterparty) FILTER (WHERE one_off)
               AS one_off_counterparties
    FROM revenue_of(which_company) GROUP BY company, period
),
totals AS (
    SELECT company, period, amount, derived, source FROM reported_totals_of(which_company)
    WHERE stream = total_stream()
)
SELECT l.company, l.period, l.period_kind, l.period_start, l.period_end, l.currency, l.basis,
       t.amount AS total_revenue, coalesce(t.derived, false) AS total_derived,
       t.source AS total_source, l.leaves_total, l.has_unattributed_stream,
       l.has_one_off, l.one_off_revenue, t.amount - l.one_off_revenue AS total_revenue_excl_one_offs,
       l.one_off_counterparties
FROM leaves AS l
LEFT JOIN totals AS t ON t.company = l.company AND t.period = l.period;

-- One row per period and stream of a company: the stream's revenue where it is known, that is
-- printed, or the sum of its leaves when the period's total is fully split into streams.
CREATE MACRO stream_revenue(which_company) AS TABLE
SELECT r.company, r.period, any_value(r.period_kind) AS period_kind,
       any_value(r.period_start) AS period_start, any_value(r.basis) AS basis, r.stream,
       coalesce(any_value(t.amount),
                CASE WHEN any_value(p.total_revenue) IS NOT NULL
                      AND NOT any_value(p.has_unattributed_stream) THEN sum(r.amount) END)
           AS stream_revenue
FROM (FROM revenue_of(which_company) WHERE stream <> unattributed_stream()) AS r
JOIN period_revenue(which_company) AS p ON p.company = r.company AND p.period = r.period
LEFT JOIN reported_totals_of(which_company) AS t
       ON t.company = r.company AND t.period = r.period AND t.stream = r.stream
GROUP BY r.company, r.period, r.stream;

-- The same for every company, for SQL across companies.
CREATE VIEW period_revenue AS FROM period_revenue(NULL);
CREATE VIEW stream_revenue AS FROM stream_revenue(NULL);

-- What a partner name means, one definition for every query: a group when the name is the
-- counterparty_group of some other counterparty (all of the group's members); otherwise the
-- counterparty of that name alone. So `partner=<member>` is that member, `partner=<group>` the
-- whole group, and a name that is both (a group defaults to its member's own name) is the
-- counterparty alone when it is the group's only member.
-- A member is a counterparty row with its span of dates: a counterparty joins or leaves a group
-- on a date (`valid_from`, `valid_to`); `in_force(valid_from, valid_to, period_end)` tells
-- whether a row holds in a period (the row in force on its last day).
CREATE MACRO in_force(valid_from, valid_to, on_day) AS
    (valid_from IS NULL OR valid_from <= on_day) AND (valid_to IS NULL OR on_day <= valid_to);

CREATE MACRO partner_members(which_company, which_partner) AS TABLE
    SELECT counterparty, counterparty_class, counterparty_group, valid_from, valid_to
    FROM counterparties_of(which_company)
    WHERE company = which_company
      AND CASE WHEN EXISTS (SELECT 1 FROM counterparties_of(which_company) AS other
                            WHERE other.company = which_company
                              AND other.counterparty_group = which_partner
                              AND other.counterparty <> which_partner)
               THEN counterparty_group = which_partner
               ELSE counterparty = which_partner END;

-- One row saying what a partner name stands for: `is_group`, and its members, the partner's own
-- name first, then alphabetical ('Nimbus Group, Nimbus Finance', and as a list); no row for an
-- unknown name.
CREATE MACRO partner_scope(which_company, which_partner) AS TABLE
    SELECT which_partner AS partner, bool_or(counterparty <> which_partner) AS is_group,
           string_agg(DISTINCT counterparty, ', '
                      ORDER BY counterparty <> which_partner, counterparty) AS members,
           list(DISTINCT counterparty ORDER BY counterparty <> which_partner, counterparty)
               AS member_list,
           count(DISTINCT counterparty) AS member_count
    FROM partner_members(which_company, which_partner)
    HAVING count(*) > 0;

-- Per period of the spine: the partner's revenue, NULL where it was not disclosed and could sit
-- in a pool the filing did not split (unknown is not zero), with total revenue and sources.
-- A member of a group with no figure in a period counts as zero only when no pool could hide
-- it; otherwise the group's revenue is the sum of the known members, a lower bound, and
-- `partner_revenue_is_lower_bound` says so. A third-party pool hides only third-party members;
-- any other pool (related parties, unattributed, mixed) can hide any member.
-- One-offs: `partner_revenue_excl_one_offs` leaves out the partner's one-off leaves and
-- `total_revenue_excl_one_offs` every one-off leaf of the period (see period_revenue).
-- Disclosed shares (printed only as percentages, `disclosed_shares`) of the partner name as
-- given, as fractions: of total revenue, and of the partner's stream (its stream that period,
-- else the stream most of its figures are in), for every period of the spine, amounts or not.
-- One company's, like partner_members (NULL gives no rows).
CREATE MACRO partner_periods(which_company, which_partner, kind) AS TABLE
WITH members AS (
    FROM partner_members(which_company, which_partner)
),
-- The partner's leaves: of its members, each in a period its membership is in force.
member_figures AS MATERIALIZED (
    SELECT r.* FROM revenue_of(which_company) r
    WHERE r.company = which_company
      AND EXISTS (SELECT 1 FROM members m WHERE m.counterparty = r.counterparty
                                            AND in_force(m.valid_from, m.valid_to, r.period_end))
),
partner_leaves AS (
    SELECT period, sum(amount) AS partner_revenue, arg_max(stream, amount) AS partner_stream,
           coalesce(sum(amount) FILTER (WHERE NOT one_off), 0) AS partner_revenue_excl_one_offs,
           bool_or(derived) AS partner_derived,
           string_agg(DISTINCT source, ' | ' ORDER BY source) AS partner_source
    FROM member_figures
    GROUP BY period
),
usual_stream AS (
    SELECT mode(stream) AS stream FROM member_figures
),
disclosed AS (
    SELECT period, share_of, basis, share_percent::DOUBLE / 100 AS share,
           precision::DOUBLE / 100 AS share_precision, source
    FROM disclosed_shares_of(which_company)
    WHERE company = which_company AND partner = which_partner
),
member_leaves AS (
    SELECT period, counterparty FROM member_figures GROUP BY ALL
),
pools AS (
    SELECT r.period, any_value(r.period_end) AS period_end,
           coalesce(bool_or(c.is_pool AND c.counterparty_class <> third_party_class()), false)
               AS hides_any,
           coalesce(bool_or(c.is_pool), false) AS hides_third_party
    FROM revenue_of(which_company) r
    JOIN counterparties_of(which_company) c
      ON c.counterparty = r.counterparty AND in_force(c.valid_from, c.valid_to, r.period_end)
    WHERE r.company = which_company
    GROUP BY r.period
),
-- Whether some member (in force that period) without a figure could be hiding in a pool.
hidden AS (
    SELECT p.period,
           coalesce(bool_or(m.counterparty IS NOT NULL AND ml.counterparty IS NULL AND CASE
               WHEN m.counterparty_class = third_party_class() THEN p.hides_third_party
               ELSE p.hides_any END), false) AS could_hide
    FROM pools p
    LEFT JOIN members m ON in_force(m.valid_from, m.valid_to, p.period_end)
    LEFT JOIN member_leaves ml ON ml.period = p.period AND ml.counterparty = m.counterparty
    GROUP BY p.period
)
SELECT s.company, s.period, s.period_kind, s.period_start, s.period_end, p.currency,
       coalesce(p.basis, dt.basis, ds.basis) AS basis,
       CASE WHEN l.period IS NOT NULL THEN l.partner_revenue
            WHEN p.period IS NOT NULL AND NOT h.could_hide THEN 0 END AS partner_revenue,
       l.period IS NOT NULL AND coalesce(h.could_hide, false) AS partner_revenue_is_lower_bound,
       p.total_revenue, l.partner_stream, sr.stream_revenue,
       CASE WHEN l.period IS NOT NULL THEN l.partner_revenue_excl_one_offs
            WHEN p.period IS NOT NULL AND NOT h.could_hide THEN 0 END
           AS partner_revenue_excl_one_offs,
       p.total_revenue_excl_one_offs,
       coalesce(p.has_one_off, false) AS has_one_off,
       p.one_off_revenue, p.one_off_counterparties,
       dt.share AS disclosed_share_of_total,
       ds.share AS disclosed_share_of_stream,
       ds.share_of AS disclosed_stream,
       dt.share_precision AS disclosed_share_of_total_precision,
       ds.share_precision AS disclosed_share_of_stream_precision,
       nullif(concat_ws(' | ', dt.source,
                        CASE WHEN ds.source IS DISTINCT FROM dt.source THEN ds.source END), '')
           AS disclosed_source,
       coalesce(l.partner_derived, false) OR coalesce(p.total_derived, false) AS derived,
       concat_ws(' | ', l.partner_source, p.total_source) AS source
FROM period_spine(which_company, kind) s
LEFT JOIN period_revenue(which_company) p ON p.period = s.period
LEFT JOIN partner_leaves l ON l.period = s.period
LEFT JOIN hidden h ON h.period = s.period
LEFT JOIN stream_revenue(which_company) sr
       ON sr.period = s.period AND sr.stream = l.partner_stream
LEFT JOIN disclosed dt ON dt.period = s.period AND dt.share_of = total_stream()
LEFT JOIN usual_stream us ON true
LEFT JOIN disclosed ds
       ON ds.period = s.period AND ds.share_of = coalesce(l.partner_stream, us.stream)
WHERE s.company = which_company;
