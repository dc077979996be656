-- Each target's metric decided per person of its population, with qualification levels
-- as of the target term's end_date (CONTRACT.md §4). A new target row needs no SQL change;
-- a new metric needs a line below.
with

targets as (

    select * from {{ ref('stg_reference__targets') }}

),

terms as (

    select * from {{ ref('stg_reference__terms') }}

),

populations as (

    select * from {{ ref('int_cadre_populations_mapped') }}

),

cadres as (

    select * from {{ ref('stg_submissions__cadres') }}

),

levels as (

    select * from {{ ref('int_levels_historised') }}

),

members as (

    select
        targets.target_code,
        targets.metric,
        terms.end_date as as_of_date,
        populations.person_key,
        populations.unit_code
    from targets
    inner join terms
        on targets.term_code = terms.term_code
    inner join populations
        on targets.population = populations.population

),

final as (

    select
        members.target_code,
        members.person_key,
        members.unit_code,
        members.as_of_date,
        -- Null when the metric cannot be decided for the person (gender unknown): such
        -- people leave the denominator. No award means not qualified (rank 0).
        case members.metric
            when 'share_postgrad' then coalesce(levels.professional_rank, 0) >= 4
            when 'share_university_plus' then coalesce(levels.professional_rank, 0) >= 3
            when 'share_political_advanced' then coalesce(levels.political_rank, 0) >= 3
            when 'share_political_intermediate_plus' then coalesce(levels.political_rank, 0) >= 2
            when 'share_women' then cadres.gender = 'nu'
        end as meets_metric
    from members
    left join cadres
        on members.person_key = cadres.person_key
    left join levels
        on members.person_key = levels.person_key
            and {{ levels_valid_on('levels', 'members.as_of_date') }}

)

select * from final
