-- Long Biên's rule: a person trained in a year but rated kht the next year still does
-- not meet the job's needs and is due for reassignment. Their unit is the one of
-- 31 December of the year (or of the as-of date, for a year not over yet).
with

enrolments as (

    select * from {{ ref('int_enrolments_termed') }}
    where graduated

),

evaluations as (

    select * from {{ ref('stg_submissions__evaluations') }}

),

periods as (

    select * from {{ ref('int_cadre_periods_dated') }}

),

completions as (

    select
        person_key,
        end_year as year,
        count(*) as classes_completed
    from enrolments
    group by
        person_key,
        end_year

),

dated_completions as (

    select
        *,
        least({{ year_end('year') }}, {{ as_of_date() }}) as review_date
    from completions

),

final as (

    select
        dated_completions.person_key,
        periods.unit_code,
        dated_completions.year,
        cast(dated_completions.classes_completed as bigint) as classes_completed,
        evaluations.rating as next_year_rating,
        case
            when evaluations.rating is null then null
            else evaluations.rating = 'kht'
        end as needs_reassignment
    from dated_completions
    left join periods
        on dated_completions.person_key = periods.person_key
            and {{ period_contains('periods', 'dated_completions.review_date') }}
    left join evaluations
        on dated_completions.person_key = evaluations.person_key
            and cast(evaluations.year as integer) = dated_completions.year + 1

)

select * from final
