-- How trained each current unit's cadres are, term by term: today's cadres, and whether
-- they completed a class of the term by the as-of date, whichever unit organised it. A
-- term before the unit existed still has its row (today's cadres trained elsewhere then).
with

units as (

    select * from {{ ref('dim_units') }}
    where is_current

),

terms as (

    select * from {{ ref('int_terms_dated') }}
    where term_kind = 'dai_hoi'

),

periods as (

    select * from {{ ref('int_cadre_periods_dated') }}
    where is_current

),

completions as (

    select * from {{ ref('int_enrolments_termed') }}
    where graduated and start_date <= {{ as_of_date() }}

),

-- One row per person and term: what they completed in it.
trained_people as (

    select
        person_key,
        term_code,
        max(case when program_kind = 'nguon_quy_hoach' then 1 else 0 end)
            as completed_planning_source
    from completions
    where term_code is not null
    group by
        person_key,
        term_code

),

unit_terms as (

    select
        units.unit_code,
        terms.term_code
    from units
    cross join terms

),

counts as (

    select
        unit_terms.unit_code,
        unit_terms.term_code,
        count(distinct periods.person_key) as cadres_count,
        count(distinct trained_people.person_key) as trained_count,
        count(distinct case
            when trained_people.completed_planning_source = 1 then trained_people.person_key
        end) as planning_source_trained_count
    from unit_terms
    left join periods
        on unit_terms.unit_code = periods.unit_code
    left join trained_people
        on periods.person_key = trained_people.person_key
            and unit_terms.term_code = trained_people.term_code
    group by
        unit_terms.unit_code,
        unit_terms.term_code

),

final as (

    select
        unit_code,
        term_code,
        {{ as_of_date() }} as as_of_date,
        cast(cadres_count as bigint) as cadres_count,
        cast(trained_count as bigint) as trained_count,
        cast(planning_source_trained_count as bigint) as planning_source_trained_count,
        cast(trained_count as double) / nullif(cadres_count, 0) as share_trained
    from counts

)

select * from final
