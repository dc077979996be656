-- A term is described as of its reference date (its end, or the as-of date while it
-- runs): the person's unit and levels are those of that day.
with

enrolments as (

    select * from {{ ref('int_enrolments_termed') }}
    where term_code is not null

),

terms as (

    select * from {{ ref('int_terms_dated') }}

),

periods as (

    select * from {{ ref('int_cadre_periods_dated') }}

),

levels as (

    select * from {{ ref('int_levels_historised') }}

),

trainee_terms as (

    select
        person_key,
        term_code,
        count(*) as classes_enrolled,
        sum(case when graduated then 1 else 0 end) as classes_graduated,
        sum(sessions_attended) as sessions_attended,
        sum(unexcused_absences) as unexcused_absences
    from enrolments
    group by
        person_key,
        term_code

),

final as (

    select
        trainee_terms.person_key,
        periods.unit_code,
        trainee_terms.term_code,
        cast(trainee_terms.classes_enrolled as bigint) as classes_enrolled,
        cast(trainee_terms.classes_graduated as bigint) as classes_graduated,
        cast(trainee_terms.sessions_attended as bigint) as sessions_attended,
        cast(trainee_terms.unexcused_absences as bigint) as unexcused_absences,
        levels.professional_level,
        levels.political_level
    from trainee_terms
    inner join terms
        on trainee_terms.term_code = terms.term_code
    left join periods
        on trainee_terms.person_key = periods.person_key
            and {{ period_contains('periods', 'terms.reference_date') }}
    left join levels
        on trainee_terms.person_key = levels.person_key
            and {{ levels_valid_on('levels', 'terms.reference_date') }}

)

select * from final
