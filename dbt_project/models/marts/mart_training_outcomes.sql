-- Long Biên's rule: a person trained in a year but rated kht the next year still does
-- not meet the job's needs and is due for reassignment.
with

enrolments as (

    select * from {{ ref('int_enrolments_termed') }}
    where graduated

),

evaluations as (

    select * from {{ ref('stg_submissions__evaluations') }}

),

cadres as (

    select * from {{ ref('dim_cadres') }}

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

final as (

    select
        completions.person_key,
        cadres.unit_code,
        completions.year,
        cast(completions.classes_completed as bigint) as classes_completed,
        evaluations.rating as next_year_rating,
        case
            when evaluations.rating is null then null
            else evaluations.rating = 'kht'
        end as needs_reassignment
    from completions
    left join cadres
        on completions.person_key = cadres.person_key
    left join evaluations
        on completions.person_key = evaluations.person_key
            and cast(evaluations.year as integer) = completions.year + 1

)

select * from final
