-- Tây Hồ's rule, offered to every unit: an unexcused absence goes into the year-end
-- review, written by the person's unit on 31 December (or on the as-of date, for a year
-- not over yet).
with

enrolments as (

    select * from {{ ref('int_enrolments_termed') }}
    where unexcused_absences > 0

),

periods as (

    select * from {{ ref('int_cadre_periods_dated') }}

),

absences as (

    select
        person_key,
        start_year as year,
        sum(unexcused_absences) as unexcused_absences,
        count(*) as classes_with_absence
    from enrolments
    group by
        person_key,
        start_year

),

dated_absences as (

    select
        *,
        least({{ year_end('year') }}, {{ as_of_date() }}) as review_date
    from absences

),

final as (

    select
        dated_absences.person_key,
        periods.unit_code,
        dated_absences.year,
        cast(dated_absences.unexcused_absences as bigint) as unexcused_absences,
        cast(dated_absences.classes_with_absence as bigint) as classes_with_absence
    from dated_absences
    left join periods
        on dated_absences.person_key = periods.person_key
            and {{ period_contains('periods', 'dated_absences.review_date') }}

)

select * from final
