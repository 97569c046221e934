-- Helper views and macros over the tables, created on every connection.
-- They hold the rules that every query needs the same way: what a period's total revenue is,
-- when a stream's revenue is known, and the full run of periods (so gaps show as gaps).
-- The rules are table macros taking the company, so a one-company query reads only that
-- company's rows (the filter sits on every scan); the views of the same names apply them to
-- every company, for cross-company SQL.

-- The start and end dates of a period label ('2016Q1' or '2016').
CREATE MACRO period_start_of(label) AS
    CASE WHEN length(label) = 4 THEN make_date(label::INTEGER, 1, 1)
         ELSE make_date(label[1:4]::INTEGER, 3 * label[6]::INTEGER - 2, 1) END;
CREATE MACRO period_end_of(label) AS
    CASE WHEN length(label) = 4 THEN make_date(label::INTEGER, 12, 31)
         ELSE (make_date(label[1:4]::INTEGER, 3 * label[6]::INTEGER - 2, 1)
               + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE END;
CREATE MACRO period_label(start_date, kind) AS
    CASE WHEN kind = 'year' THEN strftime(start_date, '%Y')
         ELSE strftime(start_date, '%Y') || 'Q' || quarter(start_date)::VARCHAR END;

-- Every period of a kind between a company's first and last figure, including empty ones.
CREATE MACRO period_spine(which_company, kind) AS TABLE
    SELECT which_company AS company, kind AS period_kind,
           period_label(d::DATE, kind) AS period, d::DATE AS period_start,
           (d + CASE WHEN kind = 'year' THEN INTERVAL 1 YEAR ELSE INTERVAL 3 MONTH END
              - INTERVAL 1 DAY)::DATE AS period_end
    FROM (SELECT unnest(generate_series(lo, hi, step)) AS d
          FROM (SELECT min(period_start)::TIMESTAMP AS lo, max(period_start)::TIMESTAMP AS hi,
                       any_value(CASE WHEN period_kind = 'year' THEN INTERVAL 1 YEAR
                                      ELSE INTERVAL 3 MONTH END) AS step
                FROM revenue WHERE company = which_company AND period_kind = kind));

-- One row per period of a company: total revenue (printed, or derived from the fiscal year)
-- and the sum of its leaves. A period with leaves but no total has total_revenue NULL.
CREATE MACRO period_revenue(which_company) AS TABLE
WITH leaves AS (
    SELECT company, period, any_value(period_kind) AS period_kind,
           any_value(period_start) AS period_start, any_value(period_end) AS period_end,
           any_value(currency) AS currency, sum(amount) AS leaves_total,
           bool_or(stream = 'unattributed') AS has_unattributed_stream
    FROM revenue WHERE company = which_company GROUP BY company, period
),
totals AS (
    SELECT period, amount, derived, source FROM reported_totals
    WHERE company = which_company AND stream = 'total'
)
SELECT l.company, l.period, l.period_kind, l.period_start, l.period_end, l.currency,
       t.amount AS total_revenue, coalesce(t.derived, false) AS total_derived,
       t.source AS total_source, l.leaves_total, l.has_unattributed_stream
FROM leaves AS l
LEFT JOIN totals AS t ON t.period = l.period;

-- One row per period and stream of a company: the stream's revenue where it is known, that is
-- printed, or the sum of its leaves when the period's total is fully split into streams.
CREATE MACRO stream_revenue(which_company) AS TABLE
SELECT r.company, r.period, any_value(r.period_kind) AS period_kind,
       any_value(r.period_start) AS period_start, r.stream,
       coalesce(any_value(t.amount),
                CASE WHEN any_value(p.total_revenue) IS NOT NULL
                      AND NOT any_value(p.has_unattributed_stream) THEN sum(r.amount) END)
           AS stream_revenue
FROM (FROM revenue WHERE company = which_company AND stream <> 'unattributed') AS r
JOIN period_revenue(which_company) AS p ON p.period = r.period
LEFT JOIN (FROM reported_totals WHERE company = which_company) AS t
       ON t.period = r.period AND t.stream = r.stream
GROUP BY r.company, r.period, r.stream;

-- The same for every company, for SQL across companies.
CREATE VIEW period_revenue AS
SELECT p.* FROM (SELECT DISTINCT company FROM revenue) AS c, period_revenue(c.company) AS p;
CREATE VIEW stream_revenue AS
SELECT s.* FROM (SELECT DISTINCT company FROM revenue) AS c, stream_revenue(c.company) AS s;

-- The counterparties that make up a partner: the partner's whole group (common control).
CREATE MACRO partner_members(which_company, which_partner) AS TABLE
    SELECT counterparty, counterparty_class FROM counterparties
    WHERE company = which_company AND counterparty_group IN (
        SELECT counterparty_group FROM counterparties
        WHERE company = which_company
          AND (counterparty = which_partner OR counterparty_group = which_partner));

-- Per period of the spine: the partner's revenue, NULL where it was not disclosed and could sit
-- in a pool the filing did not split (unknown is not zero), with total revenue and sources.
CREATE MACRO partner_periods(which_company, which_partner, kind) AS TABLE
WITH partner_leaves AS (
    SELECT period, sum(amount) AS partner_revenue, arg_max(stream, amount) AS partner_stream,
           bool_or(derived) AS partner_derived,
           string_agg(DISTINCT source, ' | ' ORDER BY source) AS partner_source
    FROM revenue
    WHERE company = which_company
      AND counterparty IN (SELECT counterparty FROM partner_members(which_company, which_partner))
    GROUP BY period
),
hidden AS (
    SELECT r.period,
           bool_or(c.is_pool AND (c.counterparty_class <> 'third_party' OR 'third_party' IN (
               SELECT counterparty_class FROM partner_members(which_company, which_partner))))
               AS could_hide
    FROM revenue r
    JOIN (FROM counterparties WHERE company = which_company) c ON c.counterparty = r.counterparty
    WHERE r.company = which_company
    GROUP BY r.period
)
SELECT s.company, s.period, s.period_kind, s.period_start, s.period_end, p.currency,
       CASE WHEN l.period IS NOT NULL THEN l.partner_revenue
            WHEN p.period IS NOT NULL AND NOT h.could_hide THEN 0 END AS partner_revenue,
       p.total_revenue, l.partner_stream, sr.stream_revenue,
       coalesce(l.partner_derived, false) OR coalesce(p.total_derived, false) AS derived,
       concat_ws(' | ', l.partner_source, p.total_source) AS source
FROM period_spine(which_company, kind) s
LEFT JOIN period_revenue(which_company) p ON p.period = s.period
LEFT JOIN partner_leaves l ON l.period = s.period
LEFT JOIN hidden h ON h.period = s.period
LEFT JOIN stream_revenue(which_company) sr
       ON sr.period = s.period AND sr.stream = l.partner_stream;
