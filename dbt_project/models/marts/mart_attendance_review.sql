-- Tây Hồ's rule, offered to every unit: an unexcused absence goes into the year-end review.
with

enrolments as (

    select * from {{ ref('int_enrolments_termed') }}
    where unexcused_absences > 0

),

cadres as (

    select * from {{ ref('dim_cadres') }}

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

final as (

    select
        absences.person_key,
        cadres.unit_code,
        absences.year,
        cast(absences.unexcused_absences as bigint) as unexcused_absences,
        cast(absences.classes_with_absence as bigint) as classes_with_absence
    from absences
    left join cadres
        on absences.person_key = cadres.person_key

)

select * from final
